/* catalog.h - internal helpers shared by the catalog and stock modules. */
#ifndef WMS_STORE_CATALOG_H
#define WMS_STORE_CATALOG_H

#include "wms.h"

/* Printable ASCII, no spaces, 1..max bytes. */
int catalog__valid_key(const char *s, size_t max);
/* No control characters, at most max bytes. */
int catalog__valid_text(const char *s, size_t max);
/* Units of an item's pack level; WMS_ENOT_FOUND when it has no such level. */
int catalog__pack_units(wms_db *db, int64_t item_id, const char *level, int64_t *units,
                        wms_error *err);
/* Storage key of a code (GTIN-14 for GTIN-shaped codes). */
int catalog__code_key(const char *code, char *key, size_t n, wms_error *err);

#endif
