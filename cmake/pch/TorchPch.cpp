// Owner of the shared precompiled torch/torch.h (see soundspot_torch_pch()).
#include <torch/torch.h>
