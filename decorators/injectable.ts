/**
 * Marks a class a module lists in `@Module({ providers })`. It writes nothing: its presence is
 * what makes tsc emit the constructor's parameter types (`design:paramtypes`), which the host
 * reads to inject them. Unlike tsyringe's `@singleton()`/`@registry()`, it registers nothing
 * globally. tsyringe's `@injectable()` works as well.
 */
export function Injectable(): ClassDecorator {
  return () => undefined;
}
