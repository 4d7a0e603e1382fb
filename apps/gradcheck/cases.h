#pragma once
// What tapegrad-gradcheck can check: ops by name (op_cases.cpp) and tiny models (model_cases.cpp).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "inspect/gradcheck.h"

namespace tg::apps::gradcheck_app {

// One op on float64 inputs built from a seed; f maps the inputs to the op's output.
struct OpCase {
  std::string name;
  std::string summary;
  std::function<TensorList(uint64_t seed)> inputs;  // leaves that require grad, named
  std::function<Tensor(const TensorList&)> f;
};
const std::vector<OpCase>& op_cases();

// A tiny instance of a registered model on a small planted dataset; checks its loss
// against every parameter.
GradcheckResult check_model(const std::string& name, uint64_t seed, const GradcheckOptions& options,
                            int64_t* parameters_out);

}  // namespace tg::apps::gradcheck_app
