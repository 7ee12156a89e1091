// Commons and service choices for the query editor, from the DCOC app backend.
import { useEffect, useState } from 'react';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';

export interface Option {
  label: string;
  value: string;
}

export function usePickerOptions(commons: string | undefined): { commons: Option[]; services: Option[]; error: string | null } {
  const [commonsOptions, setCommons] = useState<Option[]>([]);
  const [services, setServices] = useState<Option[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    request(ROUTES.listCommons)
      .then((r) => live && setCommons(r.items.map((c) => ({ label: `${c.name} (${c.id})`, value: c.id }))))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    let live = true;
    if (!commons) {
      setServices([]);
      return;
    }
    request(ROUTES.getCommons, { params: { id: commons } })
      .then((c) => live && setServices(c.services.map((s) => ({ label: s.name, value: s.name }))))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [commons]);
  return { commons: commonsOptions, services, error };
}
