#!/bin/sh
# A test binary that exits 0 without a single result line: the runner must fail it.
exit 0
