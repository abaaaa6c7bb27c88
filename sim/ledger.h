/*
 * ledger.h - what the simulator was told was done, and the check of that
 * against the engine at the end of a run.
 *
 * Every state-changing call whose outcome a virtual device received is one
 * effect: its txn, method, whether it succeeded, and what it moved (units
 * of an item from a bin to a bin; OUTBOUND is where picks go; a receipt
 * enters the warehouse) or which order line it picked.  Calls whose
 * outcome never arrived (the run ended while the server was unreachable)
 * are "in doubt" and left out of the check.
 *
 * The check (sim_ledger_check):
 *  A. per effect, against the movement journal (when the database file is
 *     known, read-only): the journal rows written under each txn of the
 *     sim's devices must add up to exactly the units acknowledged (0 for an
 *     error outcome or a call that moves nothing).  Fewer: the acknowledged
 *     effect was LOST; more (or rows for a txn the sim never got an outcome
 *     for that is not in doubt): applied TWICE / without acknowledgment.
 *     `lost` and `doubled` count effects.
 *  B. per order line, over the protocol (order.status): units picked must
 *     equal the acknowledged picks; every acknowledged order must exist.
 *  C. per item, over the protocol (stock.query): on-hand over all bins
 *     must equal the initial stock plus acknowledged receipts.
 *  D. per (bin, item), same query: the book the sim keeps from the initial
 *     stock and every acknowledged move.
 *  E. wmsctl verify's check (wms_stock_verify): stock equals the journal.
 * Without the database file A and E are skipped and B/C count lost (engine
 * below the ledger) and doubled (above); with it B-D count as mismatches.
 * The run passes when lost, doubled, mismatches and verify differences
 * are all 0.
 */
#ifndef WMS_SIM_LEDGER_H
#define WMS_SIM_LEDGER_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "gen.h"

#define SIM_LEDGER_MAX 4000000 /* effects kept; more fail the run (counted) */
#define SIM_DETAIL_MAX 4096

typedef struct sim_effect {
    char txn[SIM_TXN_MAX];
    char method[24];
    int ok;      /* acknowledged success; 0: an error outcome */
    int64_t qty; /* units the journal must show under this txn */
    int item;    /* world item, -1 */
    int from;    /* world bin, SIM_BIN_OUTBOUND, or -1 (enters the warehouse) */
    int to;      /* world bin, SIM_BIN_OUTBOUND, or -1 (leaves) */
    int order;   /* world order whose line was picked, -1 */
    int line;
} sim_effect;

#define SIM_BIN_OUTBOUND (-2) /* the engine's OUTBOUND area */

typedef struct sim_ledger sim_ledger;

/* A ledger for world w (borrowed: must outlive the ledger).  NULL on no
 * memory. */
sim_ledger *sim_ledger_new(const sim_world *w);
void sim_ledger_free(sim_ledger *l);

/* Records an effect (copied) and applies its move to the book.  Returns 0,
 * or WMS_ETOO_LARGE past SIM_LEDGER_MAX (counted as a failure). */
int sim_ledger_add(sim_ledger *l, const sim_effect *e);

/* Order `order` was created (acknowledged).  status: the engine's answer. */
void sim_ledger_order(sim_ledger *l, int order, const char *status);
/* Order `order` was cancelled (acknowledged). */
void sim_ledger_order_cancelled(sim_ledger *l, int order);

/* A call whose outcome never came. */
void sim_ledger_in_doubt(sim_ledger *l, const char *txn, const char *method);

/* The sim's book of the engine's stock of item at bin (all lots and
 * statuses): initial stock plus acknowledged moves. */
int64_t sim_ledger_book(const sim_ledger *l, int bin, int item);

/* Effects recorded so far, and effect i (for test hooks). */
int sim_ledger_count(const sim_ledger *l);
const sim_effect *sim_ledger_effect(const sim_ledger *l, int i);
/* Removes effect i from the record (test hook: "the sim forgets an
 * acknowledgment"); the book is adjusted back. */
void sim_ledger_forget(sim_ledger *l, int i);

typedef struct sim_check_env {
    const char *host;
    int port;
    const char *user, *pin;    /* a supervisor */
    const char *db_path;       /* NULL: skip A and E */
    const char *device_prefix; /* the sim's devices, e.g. "SIM-" */
    /* This run's devices and their first txn numbers: journal rows under
     * "<device>-<n>" with n <= base (or another device) are from earlier
     * runs against the same database and are not checked. */
    int n_devices;
    const char *const *devices;
    const uint64_t *txn_base;
} sim_check_env;

typedef struct sim_check_result {
    int ok;
    long long checked, lost, doubled, mismatches, in_doubt, verify_diffs;
    long long effects, orders_checked, items_checked;
    char detail[SIM_DETAIL_MAX]; /* the first problems, one per line */
} sim_check_result;

/* Runs the check described above.  Returns 0 (whatever the verdict, see
 * out->ok), or an error when it could not run (server unreachable,
 * database unreadable; message in err). */
int sim_ledger_check(sim_ledger *l, const sim_check_env *env, sim_check_result *out,
                     wms_error *err);

#endif
