#!/usr/bin/env node
// A stand-in for the `docker` client on a machine without a Docker engine: the compose commands a
// rolling reload issues (`compose version`, `compose -f F up -d --no-deps --force-recreate SVC`,
// `compose -f F stop SVC`, `compose -f F run ... SVC --validate_config`) are carried out by
// starting the service's program as a process, with what the compose file says: its command, its
// environment (interpolated as compose does), its stop_grace_period, and its bind mounts applied
// to paths (in arguments, and in the HAProxy config it reads). The programs are the real ones:
// LiteLLM from the pinned virtualenv (FAKE_DOCKER_LITELLM) for the litellm image, Debian's
// HAProxy for the haproxy image. Every call is appended to FAKE_DOCKER_LOG.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const argv = process.argv.slice(2);
if (process.env.FAKE_DOCKER_LOG) appendFileSync(process.env.FAKE_DOCKER_LOG, `${JSON.stringify(argv)}\n`);
const die = (msg, code = 1) => {
  process.stderr.write(`fake docker: ${msg}\n`);
  process.exit(code);
};
if (argv[0] !== 'compose') die(`unsupported: docker ${argv.join(' ')}`);
if (argv[1] === 'version') {
  process.stdout.write('Docker Compose version v2.99.0 (fake: processes, no engine)\n');
  process.exit(0);
}
if (argv[1] !== '-f') die('expected compose -f FILE');
const file = path.resolve(argv[2]);
const dir = path.dirname(file);
const [cmd, ...rest] = argv.slice(3);
const compose = parse(readFileSync(file, 'utf8'));
const state = path.join(dir, '.fake-docker');
mkdirSync(state, { recursive: true });

const interpolate = (v) =>
  String(v).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}/g, (_m, name, op, arg) => {
    const val = process.env[name];
    if (op === '?' && !val) die(`required variable ${name} is missing a value: ${arg}`);
    return val || (op === '-' ? arg : '');
  });
const serviceOf = (name) => compose.services?.[name] ?? die(`no such service: ${name}`);
const seconds = (d) => (d ? Number(/^(\d+)s$/.exec(String(d))?.[1] ?? 10) : 10);

/** container path -> host path, from the service's volumes and any -v given. */
function mounts(svc, extra = []) {
  const out = [];
  for (const v of [...(svc.volumes ?? []), ...extra]) {
    const [host, container] = String(v).split(':');
    out.push([container, path.resolve(dir, host)]);
  }
  return out.sort((a, b) => b[0].length - a[0].length);
}
const mapPath = (s, m) => {
  for (const [c, h] of m) if (s === c || s.startsWith(`${c}/`)) return h + s.slice(c.length);
  return s;
};

function program(name, svc, m, args) {
  const image = String(svc.image);
  if (image.startsWith('ghcr.io/berriai/litellm'))
    return [process.env.FAKE_DOCKER_LITELLM ?? die('FAKE_DOCKER_LITELLM is not set'), args.map((a) => mapPath(a, m))];
  if (image.startsWith('haproxy')) {
    // HAProxy reads its config inside the container: give it a copy with the bind-mounted directories' paths.
    const cfg = mapPath('/usr/local/etc/haproxy/haproxy.cfg', m);
    let text = readFileSync(cfg, 'utf8');
    for (const [c, h] of m) if (existsSync(h) && statSync(h).isDirectory()) text = text.split(c).join(h);
    const copy = path.join(state, `${name}.cfg`);
    writeFileSync(copy, text);
    return [process.env.FAKE_DOCKER_HAPROXY ?? '/usr/sbin/haproxy', ['-f', copy, '-db']];
  }
  return die(`no program for image ${image}`);
}

function environment(svc) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(svc.environment ?? {})) env[k] = interpolate(v);
  return env;
}

async function stop(name) {
  const pidFile = path.join(state, `${name}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + seconds(serviceOf(name).stop_grace_period) * 1000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(-pid, 'SIGKILL');
}

if (cmd === 'up' || cmd === 'restart') {
  const name = rest.at(-1);
  const svc = serviceOf(name);
  await stop(name);
  const m = mounts(svc);
  const [bin, args] = program(name, svc, m, (svc.command ?? []).map(String));
  const log = openSync(path.join(state, `${name}.log`), 'a');
  const child = spawn(bin, args, { cwd: dir, env: environment(svc), detached: true, stdio: ['ignore', log, log] });
  writeFileSync(path.join(state, `${name}.pid`), String(child.pid));
  child.unref();
  process.stdout.write(`Container ${name} Started\n`);
  process.exit(0);
} else if (cmd === 'stop') {
  await stop(rest.at(-1));
  process.exit(0);
} else if (cmd === 'run') {
  const extra = [];
  let i = 0;
  for (; i < rest.length; i++) {
    if (rest[i] === '-v') extra.push(rest[++i]);
    else if (!rest[i].startsWith('-')) break;
  }
  const name = rest[i];
  const svc = serviceOf(name);
  const m = mounts(svc, extra);
  const [bin, args] = program(name, svc, m, rest.slice(i + 1));
  const r = spawnSync(bin, args, { cwd: dir, env: environment(svc), stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  die(`unsupported: compose ${cmd}`);
}
