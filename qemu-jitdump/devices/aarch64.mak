# Devices of the qemu-system-aarch64 that build-qemu.sh builds: the virt
# machine.  Both system targets link one libsystem, so the CXL pieces the
# x86_64 configuration needs (see x86_64.mak) must be here too.
CONFIG_ARM_VIRT=y
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y
