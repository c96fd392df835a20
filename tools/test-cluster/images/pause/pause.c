/*
 * The Pod sandbox process of the one-node test cluster (containerd's sandbox_image): it only
 * holds the Pod's namespaces open. It exits on SIGTERM/SIGINT and reaps the orphans it is handed
 * when it is PID 1 of a shared PID namespace. Built static (gcc -static), so the image is this
 * one file. Written for this project; the upstream image does the same job.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  for (;;) pause();
}
