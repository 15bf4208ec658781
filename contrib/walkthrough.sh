#!/bin/sh
# walkthrough.sh SITREP WORKSPACE: what `make run` prints after listing the
# playbooks, so a newcomer knows what to try next.
sitrep=$1
ws=$2
cat <<TXT

sitrep workspace: $ws (config $ws/sitrep.conf, database $ws/sitrep.db,
playbooks in the git repository $ws/playbooks, branch main)

Try:
  $sitrep -c $ws/sitrep.conf playbook show outage        # roles, cadence, steps, templates
  $sitrep -c $ws/sitrep.conf playbook validate           # every playbook at the branch
  $sitrep -c $ws/sitrep.conf playbook log outage         # who changed it, when
  # edit a playbook, check it, commit it, and see the change:
  \$EDITOR $ws/playbooks/outage.playbook
  $sitrep -c $ws/sitrep.conf playbook validate $ws/playbooks/outage.playbook
  git -C $ws/playbooks commit -am "Tighten the outage cadence"
  $sitrep -c $ws/sitrep.conf playbook diff outage HEAD~1
  $sitrep -c $ws/sitrep.conf playbook show outage --at HEAD~1   # the old version

See README.md and sitrep(1).
TXT
