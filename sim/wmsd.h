/*
 * wmsd.h - the wmsd process the simulator drives when it runs the server
 * itself (--wmsd PATH --db FILE): start, SIGKILL (chaos), restart on the
 * same port, stop; and the pseudo-terminals of the serial pickers.
 *
 * Serial lines over ptys: the simulator keeps each pty's master side (its
 * virtual scanner cradle) and hands the slave path to wmsd (--serial
 * /dev/pts/N@115200).  wmsd opens serial lines with libserialport, which
 * refuses ptys (no /sys/class/tty/pts/N entry; TIOCMGET is not implemented
 * by the pty driver; see shared/reference/serial.md).  So wmsd is started
 * with LD_PRELOAD=libwms_ptyshim.so (sim/ptyshim.c), which answers exactly
 * those calls for pty slaves and passes everything else to libc; wmsd and
 * libserialport themselves run unchanged.  The simulator also keeps a slave
 * descriptor open (in raw mode) so that the line survives a wmsd restart
 * and the master never sees a hang-up.
 */
#ifndef WMS_SIM_WMSD_H
#define WMS_SIM_WMSD_H

#include <sys/types.h>

#include "wms.h"

#define SIM_PATH_MAX 1024
#define SIM_SERIAL_MAX 16

typedef struct sim_wmsd {
    char exe[SIM_PATH_MAX];  /* wmsd */
    char db[SIM_PATH_MAX];   /* its database */
    char log[SIM_PATH_MAX];  /* its stderr (appended) */
    char shim[SIM_PATH_MAX]; /* LD_PRELOAD for serial lines ("" = none) */
    char host[64];
    int port; /* 0 before the first start: wmsd picks one, then kept */
    int n_serial;
    char serial[SIM_SERIAL_MAX][80]; /* "/dev/pts/N@115200" */
    pid_t pid;
    int starts, kills;
} sim_wmsd;

/* Starts wmsd (fork + exec, killed with the simulator by PDEATHSIG) and
 * waits up to 30 s for "listening on port N".  Errors: WMS_EIO (cannot
 * start, or it exited: the message quotes its log). */
int sim_wmsd_start(sim_wmsd *d, wms_error *err);
/* SIGKILL and reap. */
void sim_wmsd_kill(sim_wmsd *d);
/* SIGTERM, wait up to 20 s, then SIGKILL.  Returns wmsd's exit status, or
 * -1 when it had to be killed. */
int sim_wmsd_stop(sim_wmsd *d);
/* 1 while the process runs (reaps it when it died on its own). */
int sim_wmsd_alive(sim_wmsd *d);

/* Opens a pty pair in raw mode: *master (non-blocking) for the simulator,
 * *slave kept open by the simulator, the slave's path in path.  Errors:
 * WMS_EIO. */
int sim_pty_open(int *master, int *slave, char *path, size_t n, wms_error *err);

#endif
