/* shipped.h: the example playbooks from the project's playbooks/ folder,
 * compiled in so `sitrep init` can seed a workspace from any directory. */
#ifndef SITREP_SHIPPED_H
#define SITREP_SHIPPED_H

#include <stddef.h>

extern const char *const shipped_playbook_names[];
extern const char *const shipped_playbook_texts[];
extern const size_t shipped_playbook_count;

#endif
