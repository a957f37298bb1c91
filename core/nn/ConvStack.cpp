#include "core/nn/ConvStack.h"

#include <string>

namespace soundspot::nn {

namespace {
void addConvBnRelu(torch::nn::Sequential& seq, const std::string& name, int in, int out, int stride, int kernel = 3) {
  seq->push_back(name + "_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel == 3 ? 1 : 0).bias(false)));
  seq->push_back(name + "_bn", torch::nn::BatchNorm2d(out));
  seq->push_back(name + "_relu", torch::nn::ReLU(torch::nn::ReLUOptions(true)));
}
}  // namespace

ConvStackImpl::ConvStackImpl(int inChannels, int width, Tower tower) {
  torch::nn::Sequential seq;
  if (tower == Tower::Compact) {
    addConvBnRelu(seq, "stem", inChannels, width, 4, 4);
    addConvBnRelu(seq, "block1a", width, 2 * width, 1);
    seq->push_back("block1_pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    addConvBnRelu(seq, "block2a", 2 * width, 4 * width, 1);
    addConvBnRelu(seq, "block2b", 4 * width, 4 * width, 1);
    seq->push_back("block2_pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    addConvBnRelu(seq, "block3a", 4 * width, 8 * width, 1);
    addConvBnRelu(seq, "block3b", 8 * width, 8 * width, 1);
    outChannels_ = 8 * width;
    layers_ = register_module("layers", seq);
    return;
  }
  int in = inChannels;
  for (int block = 0; block < 4; ++block) {
    const int out = width << block;
    const std::string name = "block" + std::to_string(block + 1);
    addConvBnRelu(seq, name + "a", in, out, block == 0 ? 2 : 1);
    addConvBnRelu(seq, name + "b", out, out, 1);
    if (block < 3) seq->push_back(name + "_pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    in = out;
  }
  outChannels_ = in;
  layers_ = register_module("layers", seq);
}

torch::Tensor ConvStackImpl::forward(const torch::Tensor& x) { return layers_->forward(x); }

}  // namespace soundspot::nn
