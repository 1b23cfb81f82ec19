# Shared by the hanfold-mpi test scripts (bash): the programs or a skip
# (77), Open MPI set up for one machine, the failure count, and mpi N
# ARGS... (hanfold-mpi on N ranks; stdin passed on; the test variables
# that are set go along to every rank).
set -u
: "${HANFOLD:?}" "${HANFOLD_MPI:=}"
[ -x "$HANFOLD_MPI" ] && command -v mpirun >/dev/null || { echo "hanfold-mpi or mpirun missing: skipped"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# more ranks than processors: waiting ranks must not spin
export OMPI_MCA_mpi_yield_when_idle=1
# no network interfaces needed on one machine
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
fails=0 cases=0
fail() { fails=$((fails + 1)); echo "FAIL $*"; }

mpi() {
    local n=$1; shift
    local x=() v
    for v in HANFOLD_MPI_WINDOW HANFOLD_MPI_STALL HANFOLD_MPI_FAIL_RANK; do
        [ -n "${!v+x}" ] && x+=(-x "$v")
    done
    mpirun -np "$n" "${x[@]}" "$HANFOLD_MPI" "$@"
}
