/*
 * The file Grafana executes for a DCOC backend plugin. Statically linked, so
 * it needs nothing from the image it runs in (Grafana's default image is
 * Alpine with a glibc compatibility layer and no libstdc++ or libgcc_s). It
 * starts the plugin's Node runtime, <self>.runtime/<name>, through the dynamic
 * loader shipped beside it, with only the shipped libraries: the host's libc
 * layout and version do not matter. execv keeps the PID, stdin/stdout/stderr
 * and the environment Grafana gave, so the go-plugin handshake is unchanged.
 *
 * Built by plugin/sdk/build/launcher.ts: cc -static -Os -s -DLOADER='"…"'.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LOADER
#error "LOADER (the dynamic loader's file name, e.g. ld-linux-x86-64.so.2) must be defined"
#endif

static void fail(const char *what, const char *path) {
  fprintf(stderr, "dcoc plugin launcher: cannot %s %s: %s; the plugin folder is incomplete, reinstall the plugin\n", what, path, strerror(errno));
  exit(127);
}

int main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
  } else if (!realpath(argv[0], self)) {
    /* No /proc: Grafana starts plugins by absolute path, so argv[0] names this file. */
    fail("find itself from", argv[0]);
  }
  const char *name = strrchr(self, '/');
  name = name ? name + 1 : self;

  char dir[PATH_MAX], loader[PATH_MAX], program[PATH_MAX];
  if (snprintf(dir, sizeof dir, "%s.runtime", self) >= (int)sizeof dir ||
      snprintf(loader, sizeof loader, "%s/%s", dir, LOADER) >= (int)sizeof loader ||
      snprintf(program, sizeof program, "%s/%s", dir, name) >= (int)sizeof program) {
    errno = ENAMETOOLONG;
    fail("use the path", self);
  }

  char **args = calloc((size_t)argc + 6, sizeof *args);
  if (!args) fail("allocate arguments for", self);
  int i = 0;
  args[i++] = loader;
  args[i++] = "--library-path";
  args[i++] = dir;
  args[i++] = "--argv0";
  args[i++] = argv[0];
  args[i++] = program;
  for (int a = 1; a < argc; a++) args[i++] = argv[a];
  args[i] = NULL;
  execv(loader, args);
  fail("start", loader);
  return 127;
}
