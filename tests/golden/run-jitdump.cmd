tb-list views.jitdump
