/*
 * carton_check.h - an independent geometric validator of cartonization
 * proposals (header-only, test use; shared by tests/engine/domain/test_carton.c
 * and tests/engine/store/test_boxes.c).
 *
 * carton_check() recomputes everything from the input it is given and the
 * raw placements; it trusts none of the result's totals.
 */
#ifndef WMS_TEST_CARTON_CHECK_H
#define WMS_TEST_CARTON_CHECK_H

#include "domain/carton.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int cc_has_dims(const wms_carton_item *it)
{
    return it->length_mm > 0 && it->width_mm > 0 && it->height_mm > 0;
}

/* Returns NULL when r is a valid proposal for (types, items), else a
 * sentence saying what is wrong (static buffer).  Checks: the copies of
 * the input; one placement per unit (per item, qty of them); the boxes'
 * placement ranges; each measured unit inside its box with extents that are
 * a permutation of its dimensions; no two units of a box overlapping
 * (interiors); units without dimensions unplaced; no box above its weight
 * limit; the result's totals. */
static inline const char *carton_check(const wms_carton_result *r, const wms_box_type *types,
                                       int ntypes, const wms_carton_item *items, int nitems)
{
    static char msg[512];
#define CC_FAIL(...)                                                                               \
    do {                                                                                           \
        snprintf(msg, sizeof(msg), __VA_ARGS__);                                                   \
        return msg;                                                                                \
    } while (0)
    if (r->ntypes != ntypes || r->nitems != nitems)
        CC_FAIL("copies: %d types, %d items (want %d, %d)", r->ntypes, r->nitems, ntypes, nitems);
    for (int t = 0; t < ntypes; t++)
        if (memcmp(&r->types[t], &types[t], sizeof(types[t])))
            CC_FAIL("type %d differs from the input", t);
    long units = 0;
    for (int i = 0; i < nitems; i++) {
        if (memcmp(&r->items[i], &items[i], sizeof(items[i])))
            CC_FAIL("item %d differs from the input", i);
        units += (long)items[i].qty;
    }
    if (r->nplace != units)
        CC_FAIL("%d placements for %ld units", r->nplace, units);
    if (r->nbox < 1 || r->nbox > units)
        CC_FAIL("%d boxes for %ld units", r->nbox, units);
    long *per_item = calloc((size_t)nitems + 1, sizeof(long));
    if (per_item == NULL)
        CC_FAIL("out of memory");
    int64_t box_vol = 0, units_vol = 0, no_dims = 0;
    int next = 0;
    const char *bad = NULL;
    for (int b = 0; b < r->nbox && bad == NULL; b++) {
        const wms_carton_box *bx = &r->box[b];
        if (bx->type < 0 || bx->type >= ntypes) {
            snprintf(msg, sizeof(msg), "box %d: type %d out of range", b, bx->type);
            bad = msg;
            break;
        }
        const wms_box_type *t = &types[bx->type];
        int64_t L[3] = {t->length_mm, t->width_mm, t->height_mm};
        box_vol += L[0] * L[1] * L[2];
        if (bx->units < 1 || bx->first_place != next || next + bx->units > r->nplace) {
            snprintf(msg, sizeof(msg), "box %d: placements [%d, +%d) do not follow %d", b,
                     bx->first_place, bx->units, next);
            bad = msg;
            break;
        }
        next += bx->units;
        int64_t weight = 0, vol = 0;
        for (int k = bx->first_place; k < bx->first_place + bx->units && bad == NULL; k++) {
            const wms_carton_place *p = &r->place[k];
            if (p->box != b || p->item < 0 || p->item >= nitems) {
                snprintf(msg, sizeof(msg), "placement %d: box %d item %d", k, p->box, p->item);
                bad = msg;
                break;
            }
            const wms_carton_item *it = &items[p->item];
            per_item[p->item]++;
            weight += it->weight_g;
            if (!cc_has_dims(it)) {
                no_dims++;
                if (p->placed || p->x_mm || p->y_mm || p->z_mm || p->dx_mm || p->dy_mm ||
                    p->dz_mm) {
                    snprintf(msg, sizeof(msg), "placement %d: %s has no dimensions but a position",
                             k, it->sku);
                    bad = msg;
                }
                continue;
            }
            if (!p->placed) {
                snprintf(msg, sizeof(msg), "placement %d: measured %s not placed", k, it->sku);
                bad = msg;
                break;
            }
            int64_t want[3] = {it->length_mm, it->width_mm, it->height_mm};
            int64_t got[3] = {p->dx_mm, p->dy_mm, p->dz_mm};
            for (int i = 0; i < 3; i++) /* sort both (3 elements) */
                for (int j = 0; j < 2 - i; j++) {
                    if (want[j] > want[j + 1]) {
                        int64_t x = want[j];
                        want[j] = want[j + 1], want[j + 1] = x;
                    }
                    if (got[j] > got[j + 1]) {
                        int64_t x = got[j];
                        got[j] = got[j + 1], got[j + 1] = x;
                    }
                }
            if (memcmp(want, got, sizeof(want))) {
                snprintf(msg, sizeof(msg),
                         "placement %d: %s extents %lld x %lld x %lld are not "
                         "its dimensions turned",
                         k, it->sku, (long long)p->dx_mm, (long long)p->dy_mm, (long long)p->dz_mm);
                bad = msg;
                break;
            }
            vol += want[0] * want[1] * want[2];
            if (p->x_mm < 0 || p->y_mm < 0 || p->z_mm < 0 || p->x_mm + p->dx_mm > L[0] ||
                p->y_mm + p->dy_mm > L[1] || p->z_mm + p->dz_mm > L[2]) {
                snprintf(msg, sizeof(msg),
                         "placement %d: %s at (%lld,%lld,%lld) size %lldx%lldx%lld leaves box %d "
                         "(%s %lldx%lldx%lld)",
                         k, it->sku, (long long)p->x_mm, (long long)p->y_mm, (long long)p->z_mm,
                         (long long)p->dx_mm, (long long)p->dy_mm, (long long)p->dz_mm, b, t->code,
                         (long long)L[0], (long long)L[1], (long long)L[2]);
                bad = msg;
                break;
            }
            for (int m = bx->first_place; m < k; m++) {
                const wms_carton_place *q = &r->place[m];
                if (!q->placed)
                    continue;
                if (p->x_mm < q->x_mm + q->dx_mm && q->x_mm < p->x_mm + p->dx_mm &&
                    p->y_mm < q->y_mm + q->dy_mm && q->y_mm < p->y_mm + p->dy_mm &&
                    p->z_mm < q->z_mm + q->dz_mm && q->z_mm < p->z_mm + p->dz_mm) {
                    snprintf(msg, sizeof(msg), "box %d: placements %d and %d overlap", b, m, k);
                    bad = msg;
                    break;
                }
            }
        }
        if (bad != NULL)
            break;
        if (weight > t->max_weight_g) {
            snprintf(msg, sizeof(msg), "box %d (%s): %lld g over its limit %lld g", b, t->code,
                     (long long)weight, (long long)t->max_weight_g);
            bad = msg;
        } else if (weight != bx->content_weight_g || vol != bx->content_volume_mm3) {
            snprintf(msg, sizeof(msg), "box %d: content %lld g %lld mm3, reported %lld g %lld mm3",
                     b, (long long)weight, (long long)vol, (long long)bx->content_weight_g,
                     (long long)bx->content_volume_mm3);
            bad = msg;
        }
        units_vol += vol;
    }
    for (int i = 0; i < nitems && bad == NULL; i++)
        if (per_item[i] != items[i].qty) {
            snprintf(msg, sizeof(msg), "item %s: %ld units placed, %lld ordered", items[i].sku,
                     per_item[i], (long long)items[i].qty);
            bad = msg;
        }
    free(per_item);
    if (bad != NULL)
        return bad;
    if (next != r->nplace)
        CC_FAIL("%d placements in boxes, %d in all", next, r->nplace);
    if (box_vol != r->box_volume_mm3 || units_vol != r->units_volume_mm3 ||
        no_dims != r->units_no_dims)
        CC_FAIL("totals: box volume %lld/%lld, units volume %lld/%lld, no dims %lld/%d",
                (long long)box_vol, (long long)r->box_volume_mm3, (long long)units_vol,
                (long long)r->units_volume_mm3, (long long)no_dims, r->units_no_dims);
#undef CC_FAIL
    return NULL;
}

#endif
