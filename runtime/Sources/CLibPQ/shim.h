// libpq, the PostgreSQL client library (pkg-config libpq; pipeline mode needs libpq >= 14).
#include <libpq-fe.h>
