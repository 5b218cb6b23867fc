hv-y += lib/string.o lib/vsprintf.o
