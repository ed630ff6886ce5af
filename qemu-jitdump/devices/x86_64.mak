# Devices of the qemu-system-x86_64 that build-qemu.sh builds: only what the
# system-mode tests use (configure --without-default-devices keeps the rest
# out of the build).  q35, its ISA serial port and isa-debug-exit; q35's ACPI
# tables refer to CXL, which does not link without CXL, PXB and PCIE_PORT.
CONFIG_Q35=y
CONFIG_SERIAL_ISA=y
CONFIG_ISA_DEBUG=y
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y
