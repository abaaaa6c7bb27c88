# summary.awk - the one table of `make bench`, from the summary lines the
# bench programs append (bench/run.sh runs it; bench/README.md explains how
# to read it).
#
#   awk -v machine=... -v load=... -v interval=6 -f bench/summary.awk SUMMARY
#
# Input lines are "<kind> key=value ..." (see each program's --summary),
# "note <text>", "check verify=... onhand=...", and rows from other benches:
#   row<TAB>section<TAB>figure<TAB>value<TAB>baseline<TAB>baseline value<TAB>ratio
# which are printed as they are, grouped by section, after the built-in ones.
# Every ratio is figure / baseline.  Exit 1 when the acknowledged bookings and
# the stock in bin P2 differ.

function grp(x,    s, out, n, i, neg) {
    neg = x < 0
    s = sprintf("%.0f", neg ? -x : x); n = length(s); out = ""
    for (i = 1; i <= n; i++) {
        out = out substr(s, i, 1)
        if ((n - i) % 3 == 0 && i < n) out = out ","
    }
    return (neg ? "-" : "") out
}
function ratio(a, b, d) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%." d "fx", a / b) }
function rate(x) { return x == "" ? "-" : grp(x) "/s" }
function ms(x) { return x == "" ? "-" : sprintf("%.2f ms", x) }
function bytes(x) { return x == "" ? "-" : (x >= 10240 ? sprintf("%.1f KiB", x / 1024) : grp(x) " B") }
function sec(x) { return x == "" ? "-" : sprintf("%.2f s", x) }
function m(x) { return x == "" || x == "-" ? "-" : sprintf("%.1f m", x) }
function km(x) { return x == "" ? "-" : grp(x / 1000) " km" }
function section(t) { printf "\n%s\n", t }
function row(fig, val, base, bval, r) {
    printf "  %-44s %12s   %-36s %12s %9s\n", fig, val, base, bval, r
}
# The fields key=value of this line into v[]; numbers become numbers (so
# that comparisons are numeric).
function kv(    i, p, val) {
    delete v
    for (i = 2; i <= NF; i++) {
        p = index($i, "=")
        if (p == 0) continue
        val = substr($i, p + 1)
        if (val ~ /^-?[0-9]+(\.[0-9]+)?$/) val += 0
        v[substr($i, 1, p - 1)] = val
    }
}

/^row\t/ {
    split($0, f, "\t")
    if (!(f[2] in xsec)) { xsec[f[2]] = 1; xorder[++nx] = f[2] }
    xrows[f[2]] = xrows[f[2]] sprintf("  %-44s %12s   %-36s %12s %9s\n", f[3], f[4], f[5], f[6], f[7])
    next
}
$1 == "note" { notes[++nnotes] = substr($0, 6); next }
{ kv() }
$1 == "check"       { verify = v["verify"]; onhand = v["onhand"] }
$1 == "sqlite"      { s_rps[v["kind"]] = v["rps"] }
$1 == "wmsd"        { nc++; c_conns[nc] = v["conns"]; c_pipe = v["pipeline"]; w_rps[v["conns"]] = v["rps"]
                      w_p99[v["conns"]] = v["p99_ms"]; w_err[v["conns"]] = v["errors"] + v["lost"] }
$1 == "echo"        { e_rps[v["conns"]] = v["rps"]; e_p99[v["conns"]] = v["p99_ms"] }
$1 == "wmsd_open"   { no++; o_n[no] = v["scanners"]; o_off[v["scanners"]] = v["offered_rps"]
                      wo_p50[v["scanners"]] = v["p50_ms"]; wo_p99[v["scanners"]] = v["p99_ms"]
                      wo_late[v["scanners"]] = v["late"]; wo_lag[v["scanners"]] = v["max_lag_ms"]
                      wo_rps[v["scanners"]] = v["rps"]; wo_err[v["scanners"]] = v["errors"] + v["lost"] }
$1 == "echo_open"   { eo_p50[v["scanners"]] = v["p50_ms"]; eo_p99[v["scanners"]] = v["p99_ms"]
                      eo_late[v["scanners"]] = v["late"] }
$1 == "wmsd_rss"    { wr_n = v["conns"]; wr_0 = v["rss0_kb"]; wr_1 = v["rss_kb"]; wr_per = v["per_conn_b"] }
$1 == "echo_rss"    { er_n = v["conns"]; er_per = v["per_conn_b"] }
$1 == "wmsd_total"  { t_ok = v["ok"]; t_unans = v["unanswered"]; have_t = 1 }
$1 == "route"       { k = v["layout"] SUBSEP v["picks"]; r_wms[k] = v["wms_m"]; r_ss[k] = v["sshape_m"]
                      r_bf[k] = v["brute_m"]; r_lists = v["lists"] }
$1 == "plan"        { p_orders = v["orders"]; p_lines = v["lines"]; p_totes = v["totes"]; p_total = v["total_s"]
                      p_walk = v["walk_m"]; p_fcfs_walk = v["fcfs_walk_m"] }
$1 == "plan_batch" && v["warehouse"] == "big" { pb_fcfs_s[v["totes"]] = v["fcfs_s"] }
$1 == "plan_walk"   { k = v["warehouse"] SUBSEP v["method"]; pw_per[k] = v["m_per_line"]
                      pw_lines[v["warehouse"]] = v["lines"]; pw_tours[k] = v["tours"] }
$1 == "restart"     { d = v["db"]; rs_rows[d] = v["rows"]; rs_mb[d] = v["size_mb"]; rs_start[d] = v["start_ms"]
                      rs_cold[d] = v["cold_ms"]; rs_stop[d] = v["stop_ms"]; rs_runs = v["runs"] }
$1 == "restart_build" { rb_secs = v["secs"] }
$1 == "wmsd_setup"  { ws_n = v["conns"]; ws_secs = v["secs"] }
$1 == "carton" && v["band"] == "all" { ca_n = v["orders"]; ca_boxes = v["boxes"]; ca_qboxes = v["quick_boxes"]
                      ca_lb = v["lb"]; ca_fill = v["fill"]; ca_qfill = v["quick_fill"]; ca_us = v["us_mean"]
                      ca_p99 = v["us_p99"] }

END {
    printf "bench summary: %s; load average at start %s.\n", machine, load
    printf "Every baseline was measured in this run on this machine. ratio = figure / baseline.\n"
    printf "  %-44s %12s   %-36s %12s %9s\n", "figure", "value", "baseline", "value", "ratio"

    section("Durable scans per second, closed loop, " (c_pipe == "" ? 1 : c_pipe) \
            " request in flight per connection (higher is better)")
    for (i = 1; i <= nc; i++) {
        c = c_conns[i]
        row(sprintf("wmsd receive.scan, %s connections", grp(c)) (w_err[c] > 0 ? " [ERRORS]" : ""),
            rate(w_rps[c]), "SQLite, one commit per request", rate(s_rps["engine"]),
            ratio(w_rps[c], s_rps["engine"], 2))
        row("", "", sprintf("echo floor, %s connections", grp(c)), rate(e_rps[c]),
            ratio(w_rps[c], e_rps[c], 2))
    }
    if ("raw" in s_rps)
        printf "  (on this disk: plain sqlite3 INSERT + COMMIT %s; in-process bookings, 100 per commit, %s)\n",
            rate(s_rps["raw"]), rate(s_rps["batched"])

    section(sprintf("Latency at a realistic rate: every scanner scans once per %s s on average, Poisson (lower is better)", interval))
    for (i = 1; i <= no; i++) {
        n = o_n[i]
        row(sprintf("wmsd p50, %s scanners (%s scans/s)", grp(n), grp(o_off[n])) (wo_err[n] > 0 ? " [ERRORS]" : ""),
            ms(wo_p50[n]), "echo floor, the same load", ms(eo_p50[n]), ratio(wo_p50[n], eo_p50[n], 1))
        row(sprintf("wmsd p99, %s scanners", grp(n)), ms(wo_p99[n]), "echo floor, the same load",
            ms(eo_p99[n]), ratio(wo_p99[n], eo_p99[n], 1))
        if (wo_late[n] + eo_late[n] > 0)
            printf "  (the load generator was late for %d + %d scans by over 5 ms, at most %.1f ms: a busy machine)\n",
                wo_late[n], eo_late[n], wo_lag[n]
    }
    if (no == 0) printf "  (no open-loop step ran)\n"

    section("Server memory per idle logged-in connection: VmRSS with N minus with none, / N (lower is better)")
    if (wr_n != "")
        row(sprintf("wmsd, %s connections (%.1f -> %.1f MiB)", grp(wr_n), wr_0 / 1024, wr_1 / 1024),
            bytes(wr_per), sprintf("echo floor, %s connections", grp(er_n)), bytes(er_per),
            ratio(wr_per, er_per, 1))

    if (p_total != "") {
        section(sprintf("Wave planning: %s orders, %s lines, %s-tote carts (lower is better)",
                        grp(p_orders), grp(p_lines), p_totes))
        row("wms_wave_plan (savings batching + routes)", sec(p_total), "FCFS batching + routes",
            sec(pb_fcfs_s[p_totes]), ratio(p_total, pb_fcfs_s[p_totes], 1))
        row("walking distance of the plan", km(p_walk), "FCFS batches", km(p_fcfs_walk),
            ratio(p_walk, p_fcfs_walk, 2))
    }

    split("big henn", pws, " ")
    split("generated multi-block|Henn single block", pwn, "|")
    for (wi = 1; wi <= 2; wi++) {
        w = pws[wi]
        if (!((w SUBSEP "discrete") in pw_per))
            continue
        section(sprintf("Walking per order line, %s, %s lines (lower is better)", pwn[wi], grp(pw_lines[w])))
        split("batch sort", pms, " ")
        split("cluster picking, 8 totes|pick-and-sort (+ sort at the wall)", pmn, "|")
        for (mi = 1; mi <= 2; mi++) {
            k = w SUBSEP pms[mi]
            if (k in pw_per)
                row(sprintf("%s, %s tours", pmn[mi], grp(pw_tours[k])), sprintf("%.2f m", pw_per[k]),
                    "discrete, one order per tour", sprintf("%.2f m", pw_per[w SUBSEP "discrete"]),
                    ratio(pw_per[k], pw_per[w SUBSEP "discrete"], 2))
        }
    }

    if (r_lists != "")
        section(sprintf("Route length, average of %s random pick lists, Henn layout (lower is better)", r_lists))
    split("1block 2block", lays, " ")
    split("1 block (Ratliff-Rosenthal)|2 blocks (2-opt/Or-opt)", lnames, "|")
    for (li = 1; li <= 2; li++) {
        k = lays[li] SUBSEP 9
        if ((k in r_bf) && r_bf[k] != "-")
            row(sprintf("%s, 9 picks", lnames[li]), sprintf("%.2f m", r_wms[k]),
                "optimum (brute force)", sprintf("%.2f m", r_bf[k]), ratio(r_wms[k], r_bf[k], 4))
        for (pi = 0; pi < 3; pi++) {
            pk = pi == 0 ? 10 : (pi == 1 ? 20 : 30)
            k = lays[li] SUBSEP pk
            if (k in r_wms)
                row(sprintf("%s, %d picks", lnames[li], pk), m(r_wms[k]), "S-shape", m(r_ss[k]),
                    ratio(r_wms[k], r_ss[k], 2))
        }
    }

    if ("stock" in rs_start) {
        section(sprintf("Restart: wmsd exec until it answers ping, median of %s (lower is better)", rs_runs))
        row(sprintf("%s stock rows (%s MB), warm cache", grp(rs_rows["stock"]), grp(rs_mb["stock"])),
            ms(rs_start["stock"]), "empty database, warm cache", ms(rs_start["empty"]),
            ratio(rs_start["stock"], rs_start["empty"], 1))
        row("the same, database file evicted (cold)", ms(rs_cold["stock"]), "empty database, cold",
            ms(rs_cold["empty"]), ratio(rs_cold["stock"], rs_cold["empty"], 1))
        printf "  (stop, SIGTERM until exit: %s with %s stock rows, %s empty%s)\n", ms(rs_stop["stock"]),
            grp(rs_rows["stock"]), ms(rs_stop["empty"]),
            rb_secs != "" ? sprintf("; the database was built in this run in %.0f s", rb_secs) : "; the database was cached"
    }

    if (ca_n != "") {
        section(sprintf("Cartonization: %s generated orders of 1-30 units (boxes: lower is better; fill: higher)", grp(ca_n)))
        row("boxes per order, wms_carton_pack", sprintf("%.3f", ca_boxes), "quick FFD (WMS_CARTON_QUICK)",
            sprintf("%.3f", ca_qboxes), ratio(ca_boxes, ca_qboxes, 2))
        row("", "", "lower bound (volume, weight)", sprintf("%.3f", ca_lb), ratio(ca_boxes, ca_lb, 2))
        row("fill rate (units volume / box volume)", sprintf("%.1f %%", 100 * ca_fill),
            "quick FFD (WMS_CARTON_QUICK)", sprintf("%.1f %%", 100 * ca_qfill), ratio(ca_fill, ca_qfill, 2))
        printf "  (time per order: mean %.0f us, p99 %.0f us)\n", ca_us, ca_p99
    }

    for (i = 1; i <= nx; i++) {
        section(xorder[i])
        printf "%s", xrows[xorder[i]]
    }

    print ""
    if (ws_n != "")
        printf "setup, not timed above: %s wmsd logins took %.0f s (argon2id PIN checks, %.1f ms each)\n",
            grp(ws_n), ws_secs, 1000 * ws_secs / ws_n
    for (i = 1; i <= nnotes; i++) printf "note: %s\n", notes[i]
    printf "wmsctl verify after SIGTERM: %s\n", verify
    if (have_t) {
        ok = (onhand == t_ok) || (t_unans > 0 && onhand >= t_ok && onhand <= t_ok + t_unans)
        printf "acknowledged bookings: %s; units in P2: %s%s\n", grp(t_ok), grp(onhand),
            (ok ? " (every acknowledged booking is in the database)" : "  MISMATCH")
        if (!ok) exit 1
    }
    if (verify != "passed") exit 1
}
