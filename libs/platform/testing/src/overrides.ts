/**
 * `target` with one member replaced, everything else its own (methods bound to it): how a test
 * watches or holds back one call of a real store or pool without a mock.
 */
export function withOverride<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): T {
  return new Proxy(target, {
    get(object, property) {
      if (property === key) return value;
      const member: unknown = Reflect.get(object, property, object);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(object) : member;
    },
  });
}

interface Subscribing {
  subscribe(...args: never[]): { readonly done: Promise<unknown> };
}

/**
 * The store as a component sees it, counting the subscriptions open on it (opened, and `done` not
 * settled yet): a component stopped must leave none behind.
 */
export function countingSubscriptions<S extends Subscribing>(
  store: S,
): { readonly store: S; open(): number } {
  let open = 0;
  const subscribe = ((...args: never[]) => {
    const subscription = store.subscribe(...args);
    open += 1;
    void subscription.done.finally(() => (open -= 1)).catch(() => undefined);
    return subscription;
  }) as S['subscribe'];
  return { store: withOverride(store, 'subscribe', subscribe), open: () => open };
}
