// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), used by the trainer's GEMMs.
#ifndef SHARPCAM_COPENBLAS_SHIM_H
#define SHARPCAM_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
