import { vi } from 'vitest';

// The card's actions are a separate file the content script loads by its extension URL, which no
// unit test can fetch (tests/unit/overlay/card-actions.test.tsx mounts them directly): every card
// here renders without them, so that no failed load is reported after a test file has finished.
vi.mock('../../extension/features/overlay/actions/Lazy.tsx', () => ({ LazyCardActions: () => null }));
