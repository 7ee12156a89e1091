// The Grafana Live channel paths of pod log follows:
//   logs/<commons>/<service>                     every line of every replica
//   logs/<commons>/<service>/filter/<base64url>  only lines containing the text
// A channel's RunStream is shared by all its subscribers, so what selects the
// lines (the filter) is part of the path; base64url keeps any text within the
// characters Grafana allows in a channel path.
import { CommonsId, LogsFollowQuery, ServiceName } from '../../contracts/api';

export interface LogChannel {
  commons: string;
  service: string;
  filter?: string;
}

const PATH = /^logs\/([^/]+)\/([^/]+)(?:\/filter\/([A-Za-z0-9_-]+))?$/;

/** The follow a channel path asks for; undefined when the path is not a log channel (or not a valid one). */
export function parseLogChannel(path: string): LogChannel | undefined {
  const m = PATH.exec(path);
  if (!m || !CommonsId.safeParse(m[1]).success || !ServiceName.safeParse(m[2]).success) return undefined;
  if (m[3] === undefined) return { commons: m[1], service: m[2] };
  const filter = Buffer.from(m[3], 'base64url').toString('utf8');
  // Not canonical base64url of valid UTF-8, or a filter the control service would refuse: not a channel of ours.
  if (!filter || Buffer.from(filter, 'utf8').toString('base64url') !== m[3] || !LogsFollowQuery.shape.filter.safeParse(filter).success) return undefined;
  return { commons: m[1], service: m[2], filter };
}
