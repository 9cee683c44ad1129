# step: gitopsctl version
"$GITOPSCTL" version
