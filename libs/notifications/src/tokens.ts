/** Nest injection token for the `Notifier` port. */
export const NOTIFIER = Symbol('NOTIFIER');
