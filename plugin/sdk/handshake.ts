// The go-plugin handshake: the environment Grafana starts a plugin with, and
// the one stdout line by which the plugin tells Grafana where it listens.

/** go-plugin's core protocol; the client rejects anything else. */
export const coreProtocolVersion = 1;
/** Grafana's plugin protocol (grpcplugin.ProtocolVersion). */
export const appProtocolVersion = 2;
/** Grafana's magic cookie; the value is "datasource" for app plugins too. */
export const magicCookieKey = 'grafana_plugin_type';
export const magicCookieValue = 'datasource';

export type HandshakeCheck = { ok: true } | { ok: false; message: string };

/**
 * Refuses to run outside Grafana, as go-plugin servers do, so that a person
 * starting the executable by hand gets an explanation instead of a hang.
 */
export function checkHandshakeEnv(env: NodeJS.ProcessEnv): HandshakeCheck {
  if (env[magicCookieKey] !== magicCookieValue) {
    return {
      ok: false,
      message:
        'This binary is a Grafana backend plugin. It is not meant to be run directly: ' +
        'Grafana starts it and connects to it. (Environment variable ' +
        `${magicCookieKey}=${magicCookieValue} is missing.)`,
    };
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (!offered.includes(String(appProtocolVersion))) {
    return {
      ok: false,
      message:
        `Incompatible plugin protocol: this plugin speaks version ${appProtocolVersion}, ` +
        `the host offers ${offered.length ? offered.join(',') : 'none'} (PLUGIN_PROTOCOL_VERSIONS).`,
    };
  }
  return { ok: true };
}

/** `1|2|tcp|127.0.0.1:<port>|grpc\n`: exactly five parts, as Grafana uses neither AutoMTLS nor multiplexing. */
export function handshakeLine(host: string, port: number): string {
  return `${coreProtocolVersion}|${appProtocolVersion}|tcp|${host}:${port}|grpc\n`;
}
