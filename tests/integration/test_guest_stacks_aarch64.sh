# Guest call stacks on an aarch64 guest: test_guest_stacks.sh's checks
# (calls by bl/blr with the return address in x30, not on the stack).
exec env GSTACK_ARCH=aarch64 sh "$TOP/tests/integration/test_guest_stacks.sh"
