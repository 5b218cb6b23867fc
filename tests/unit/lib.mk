UNIT_TESTS += lib
lib_SRCS := tests/unit/test_lib.c
# printf-format checks would flag the deliberately unknown conversion in the tests.
lib_CFLAGS := -Wno-format -Wno-format-extra-args
