// A Live message is the control service's event as JSON; accept it bare or
// wrapped in { data } (the SSE relay's envelope), ignore anything else.
import { SequencedEvent } from '../../contracts/events';

export function parseLiveMessage(message: unknown): SequencedEvent | undefined {
  const direct = SequencedEvent.safeParse(message);
  if (direct.success) return direct.data;
  if (message && typeof message === 'object' && 'data' in message) {
    const inner = SequencedEvent.safeParse((message as { data: unknown }).data);
    if (inner.success) return inner.data;
  }
  return undefined;
}
