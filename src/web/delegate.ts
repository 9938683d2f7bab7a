/**
 * Lightweight stand-ins for undici's Request and Response. Building the real objects costs most
 * of a small request's time, so the Node adapter hands out objects that answer the common
 * questions from plain fields and build the real object only when something rare is touched.
 *
 * `installDelegates` makes every member of the real prototype that the stand-in does not define
 * itself forward to the real object (`materialise()`), and puts the real prototype behind the
 * stand-in's so `instanceof Request` / `instanceof Response` hold. `probe` is a real instance,
 * whose own symbol-keyed slots are forwarded too.
 */
export function installDelegates(
  standIn: { prototype: object },
  real: { prototype: object },
  materialise: (self: any) => object,
  probe: object,
): void {
  // undici reaches into its objects through symbol-keyed own properties (e.g. when a handler
  // writes `new Request(request)`); forward those to the real object as well.
  for (const key of Object.getOwnPropertySymbols(probe)) {
    Object.defineProperty(standIn.prototype, key, {
      configurable: true,
      get(this: unknown) {
        return (materialise(this) as Record<PropertyKey, unknown>)[key];
      },
      // undici's constructor assigns these slots on a subclass instance built through the stand-in.
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { configurable: true, writable: true, value });
      },
    });
  }
  const own = new Set(Reflect.ownKeys(standIn.prototype));
  for (const key of Reflect.ownKeys(real.prototype)) {
    if (own.has(key) || key === 'constructor') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(real.prototype, key)!;
    if (typeof descriptor.value === 'function') {
      // The real prototype's own function, called on the real object: a subclass instance that
      // is itself real (materialise returns it) never loops back into the stand-in's member.
      const fn = descriptor.value as (...a: unknown[]) => unknown;
      Object.defineProperty(standIn.prototype, key, {
        configurable: true,
        writable: true,
        value(this: unknown, ...args: unknown[]) {
          return fn.apply(materialise(this), args);
        },
      });
    } else if (descriptor.get !== undefined) {
      const get = descriptor.get;
      Object.defineProperty(standIn.prototype, key, {
        configurable: true,
        get(this: unknown) {
          return get.call(materialise(this));
        },
      });
    } else if (typeof key === 'symbol') {
      Object.defineProperty(standIn.prototype, key, descriptor);
    }
  }
  Object.setPrototypeOf(standIn.prototype, real.prototype);
}
