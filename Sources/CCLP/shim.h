// COIN-OR CLP's C interface (Debian: coinor-libclp-dev). Linked directly (Clp, CoinUtils) rather
// than through clp.pc, whose "-lblas -llapack" would put a second BLAS on the link line beside
// OpenBLAS.
#include <coin/Clp_C_Interface.h>
