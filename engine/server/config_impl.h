/* config_impl.h - internal: the config file reader. */
#ifndef WMS_SERVER_CONFIG_IMPL_H
#define WMS_SERVER_CONFIG_IMPL_H

#include "server.h"

#endif
