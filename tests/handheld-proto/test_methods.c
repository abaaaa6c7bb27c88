/* test_methods.c - the dispatcher without a server: roles, txn outcomes,
 * replay, TXN_CONFLICT and pruning of old outcomes. */
#include "../engine/store/fixture.h"
#include "methods.h"

static const wms_proto_config cfg = {"test", "P2", 36LL * 3600 * 1000};

/* Encodes a request with one string-valued args map from pairs. */
static void request(msgpack_sbuffer *b, uint32_t msgid, const char *method, const char **kv,
                    int npairs)
{
    msgpack_sbuffer_clear(b);
    msgpack_packer pk;
    msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 0);
    msgpack_pack_uint32(&pk, msgid);
    wms_pack_str(&pk, method);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_map(&pk, (size_t)npairs);
    for (int i = 0; i < npairs; i++) {
        wms_pack_str(&pk, kv[2 * i]);
        wms_pack_str(&pk, kv[2 * i + 1]);
    }
}

/* Dispatches and returns the error code name of the outcome ("" on success). */
static const char *call(fx *f, wms_ident *id, const char *method, const char **kv, int n,
                        int64_t now, msgpack_sbuffer *out)
{
    static char name[32];
    msgpack_sbuffer req;
    msgpack_sbuffer_init(&req);
    request(&req, 1, method, kv, n);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    wms_rpc_req r;
    wms_error err;
    assert_int_equal(wms_rpc_decode((const uint8_t *)req.data, req.size, &zone, &r, &err), 0);
    wms_call_info info;
    assert_int_equal(wms_dispatch(f->db, &cfg, id, &r, now, out, &info), 0);
    msgpack_zone_destroy(&zone);
    msgpack_sbuffer_destroy(&req);
    /* The outcome is [error, result] with exactly one nil. */
    msgpack_zone_init(&zone, 1024);
    msgpack_object o;
    size_t off = 0;
    assert_int_equal(msgpack_unpack(out->data, out->size, &off, &zone, &o), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(o.type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(o.via.array.size, 2);
    int err_nil = o.via.array.ptr[0].type == MSGPACK_OBJECT_NIL;
    int res_nil = o.via.array.ptr[1].type == MSGPACK_OBJECT_NIL;
    assert_true(err_nil != res_nil);
    name[0] = '\0';
    if (!err_nil) {
        const msgpack_object *code = wms_arg_get(&o.via.array.ptr[0], "code");
        assert_non_null(code);
        snprintf(name, sizeof(name), "%.*s", (int)code->via.str.size, code->via.str.ptr);
    }
    msgpack_zone_destroy(&zone);
    return name;
}

static void test_roles_and_login_required(void **state)
{
    fx *f = *state;
    wms_ident id = {.device = "T1", .hello = 1};
    msgpack_sbuffer out;
    msgpack_sbuffer_init(&out);
    const char *kv[] = {"code", "P1"};
    assert_string_equal(call(f, &id, "scan.resolve", kv, 1, 1000, &out), "NOT_LOGGED_IN");
    id.logged_in = 1;
    id.role = WMS_ROLE_PICKER;
    assert_string_equal(call(f, &id, "scan.resolve", kv, 1, 1000, &out), "");
    const char *rcv[] = {"txn", "t1", "code", "4006381333931"};
    assert_string_equal(call(f, &id, "receive.scan", rcv, 2, 1000, &out), "FORBIDDEN");
    assert_string_equal(call(f, &id, "nope.nope", kv, 0, 1000, &out), "UNKNOWN_METHOD");
    msgpack_sbuffer_destroy(&out);
}

static void test_outcome_replay_conflict_and_prune(void **state)
{
    fx *f = *state;
    wms_ident id = {.device = "T2", .hello = 1, .logged_in = 1, .role = WMS_ROLE_RECEIVER};
    msgpack_sbuffer first, again;
    msgpack_sbuffer_init(&first);
    msgpack_sbuffer_init(&again);
    const char *rcv[] = {"txn", "t-9", "code", "4006381333931", "bin", "P2"};
    int64_t t0 = 1000000;
    assert_string_equal(call(f, &id, "receive.scan", rcv, 3, t0, &first), "");
    assert_string_equal(call(f, &id, "receive.scan", rcv, 3, t0 + 5, &again), "");
    /* Byte-identical replay, one effect. */
    assert_int_equal(first.size, again.size);
    assert_memory_equal(first.data, again.data, first.size);
    assert_int_equal(fx_qty(f, "P2", "A"), 1);
    /* Same txn, other method. */
    const char *mv[] = {"txn", "t-9", "from", "P2", "to", "R1", "item", "A"};
    assert_string_equal(call(f, &id, "stock.move", mv, 4, t0 + 6, &again), "TXN_CONFLICT");
    /* Another device may use the same txn string. */
    wms_ident other = id;
    snprintf(other.device, sizeof(other.device), "T3");
    assert_string_equal(call(f, &other, "receive.scan", rcv, 3, t0 + 7, &again), "");
    assert_int_equal(fx_qty(f, "P2", "A"), 2);
    /* Pruning keeps recent outcomes and drops old ones. */
    assert_int_equal(wms_txn_prune(f->db, t0 - 1, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM txn_outcomes"), 2);
    assert_int_equal(wms_txn_prune(f->db, t0 + 6, &f->err), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM txn_outcomes"), 1);
    msgpack_sbuffer_destroy(&first);
    msgpack_sbuffer_destroy(&again);
}

static void test_failed_call_stores_error_and_no_effect(void **state)
{
    fx *f = *state;
    wms_ident id = {.device = "T4", .hello = 1, .logged_in = 1, .role = WMS_ROLE_SUPERVISOR};
    msgpack_sbuffer out;
    msgpack_sbuffer_init(&out);
    long long journal = fx_sql_int(f, "SELECT count(*) FROM journal");
    const char *rcv[] = {"txn", "bad-1", "code", "4006381333931", "bin", "X1"};
    assert_string_equal(call(f, &id, "receive.scan", rcv, 3, 5000, &out), "BIN_BLOCKED");
    assert_string_equal(call(f, &id, "receive.scan", rcv, 3, 5001, &out), "BIN_BLOCKED");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal"), journal);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM txn_outcomes WHERE txn='bad-1'"), 1);
    msgpack_sbuffer_destroy(&out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_roles_and_login_required),
        T(test_outcome_replay_conflict_and_prune),
        T(test_failed_call_stores_error_and_no_effect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
