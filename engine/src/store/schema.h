/* schema.h - the ordered list of schema migrations (see schema.c). */
#ifndef WMS_STORE_SCHEMA_H
#define WMS_STORE_SCHEMA_H

/* Number of migrations; the schema version of a current database. */
int schema__count(void);
/* SQL of migration i (0-based), or NULL. */
const char *schema__migration(int i);

#endif
