listing listing-into-device/side.tbs
