/** A deep copy of JSON-like data, so one callback's mutation cannot reach the next. */
export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/** prepareArgs that gives each callback its own copy of the argument at `index`. */
export function copyArgument(index: number): (args: readonly unknown[]) => unknown[] {
  return (args) => {
    const copy = args.slice();
    if (index < copy.length) copy[index] = deepCopy(copy[index]);
    return copy;
  };
}
