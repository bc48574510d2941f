// placeholder replaced by the module generator
