/* version.h: sitrep's version, as `sitrep --version` prints it and as
 * the delivery engine's User-Agent says it. */
#ifndef SITREP_VERSION_H
#define SITREP_VERSION_H

#define SITREP_VERSION "0.1.0"

#endif
