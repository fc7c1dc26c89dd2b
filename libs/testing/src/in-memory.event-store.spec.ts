import { eventStoreContract } from '../../event-store/src/event-store.contract';
import { InMemoryEventStore } from './in-memory.event-store';

// The store that pure tests stand on keeps the same promises as the real adapters.
eventStoreContract('in memory', {
  shared: false,
  open: async () => ({ store: new InMemoryEventStore(), dispose: async () => {} }),
});
