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

sitrepd now runs in the foreground (Ctrl-C stops it): it delivers the outbox,
fires reminders and escalations on time and serves the status page at the
URL it prints below. In a second terminal, work an incident and watch the
page, its API (/api/v2/summary.json) and feeds (/history.atom) change:
  $sitrep -c $ws/sitrep.conf --as alice open outage --title "API errors" --sev SEV3 --var impact="Some requests to our API fail with an error."
  $sitrep -c $ws/sitrep.conf --as alice update INC-1 --audience customers --template investigating
  $sitrep -c $ws/sitrep.conf --as alice role take INC-1 commander
  $sitrep -c $ws/sitrep.conf --as alice update INC-1 --audience customers --template resolved --var cause="A faulty deploy; we rolled it back."
  $sitrep -c $ws/sitrep.conf timeline INC-1

See README.md, sitrep(1) and sitrepd(8).
TXT
