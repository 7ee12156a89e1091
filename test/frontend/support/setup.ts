// Browser APIs jsdom lacks that @grafana/ui uses, and Testing Library's matchers.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => cleanup());
// findBy/waitFor give up after 1 s by default; a loaded 2-core CI machine can
// spend that long rendering one @grafana/ui page.
configure({ asyncUtilTimeout: 5_000 });

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: vi.fn().mockImplementation((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: vi.fn(),
    removeListener: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
    dispatchEvent: vi.fn(),
  })),
});

class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(globalThis, { ResizeObserver: NoopObserver, IntersectionObserver: NoopObserver });
// Text measuring (Combobox sizes its menu with it): about 7 px a character.
HTMLCanvasElement.prototype.getContext = (() => ({
  font: '',
  measureText: (text: string) => ({ width: text.length * 7 }),
})) as unknown as typeof HTMLCanvasElement.prototype.getContext;
window.HTMLElement.prototype.scrollIntoView = () => {};

// jsdom lays nothing out; give elements a desktop-sized box so virtualised
// lists render the rows a 1200x640 viewport would show.
Object.defineProperties(HTMLElement.prototype, {
  offsetHeight: { configurable: true, get: () => 640 },
  offsetWidth: { configurable: true, get: () => 1200 },
  clientHeight: { configurable: true, get: () => 640 },
  clientWidth: { configurable: true, get: () => 1200 },
});
