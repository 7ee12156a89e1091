// A page opened with ?new=1&group=<name> (the fleet page's group actions)
// opens its new-item form with the target preset to that group; the
// parameters are dropped once the form is done with.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { NEW_FOR_GROUP } from '../constants';

export function useNewForGroup(): { requested: boolean; group: string; clear: () => void } {
  const [params, setParams] = useSearchParams();
  const requested = params.get(NEW_FOR_GROUP.open) === '1';
  const group = params.get(NEW_FOR_GROUP.group)?.trim() ?? '';
  const clear = useCallback(
    () =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          next.delete(NEW_FOR_GROUP.open);
          next.delete(NEW_FOR_GROUP.group);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { requested, group, clear };
}
