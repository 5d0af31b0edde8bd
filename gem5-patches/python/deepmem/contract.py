"""The process contract between gem5 (configs/gem5/deepmem_se.py) and the
controller that starts it, gem5 side. Described in the header of
protos/deepmem.proto; the C# side's constants are
DeepMem.Bridge.ProcessContract, and a contract test compares the two.
Plain Python: no gem5, no grpc."""

# The one stdout line that announces the bridge's port: PREFIX + number.
PORT_LINE_PREFIX = "DEEPMEM_BRIDGE_PORT="
# Environment variable with the shared token (keeps it off the command line).
TOKEN_ENV = "DEEPMEM_BRIDGE_TOKEN"
# Metadata key of the Session call that carries HelloReply.session_ticket.
TICKET_KEY = "deepmem-session-ticket"
# Result record in gem5's output folder (--result changes it).
RESULT_FILE = "deepmem_result.json"
# Summary lines on stdout at the end of a run.
FINISHED_LINE_PREFIX = "DEEPMEM_FINISHED "
FAILED_LINE_PREFIX = "DEEPMEM_FAILED "
KILLED_LINE_PREFIX = "DEEPMEM_KILLED "
# Exit codes of deepmem_se.py: the program's own (0-255), SIGNAL_EXIT_BASE +
# signal when a signal killed it, FAILED_EXIT when the run failed, and
# USAGE_EXIT for a bad command line or bridge setting.
SIGNAL_EXIT_BASE = 128
FAILED_EXIT = 1
USAGE_EXIT = 2
