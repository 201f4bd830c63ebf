// TEMPORARY: the Windows plan compiler (issue 6) replaces this file.
