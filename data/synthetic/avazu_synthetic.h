#pragma once
// Synthetic Avazu (Kaggle CTR prediction) data: dir/train.csv in exactly the Kaggle format:
// comma-separated, '\n' line ends, the header line
//   id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,
//   app_category,device_id,device_ip,device_model,device_type,device_conn_type,C14,...,C21
// then one example per line: id (a decimal integer up to 20 digits), click (0/1), hour
// (YYMMDDHH, 14102100 .. 14103023: ten days, rows in time order), C1 (1005, 1002, ...),
// banner_pos (0..7), the six site/app fields and device_id/ip/model as 8 lowercase hex digits
// (an app placement carries the site defaults 85f751fd,c4e18dd6,50e219e0 and a site the app
// defaults ecad2386,7801e8d9,07d7df22; 80% of devices have the anonymous id a99f214a, as in the
// real data), device_type and device_conn_type small integers, C14..C21 integers (C15 x C16 a
// real banner size, C20 -1 on about half of the campaigns). No field is empty. Plus
// dir/teacher.tsv (synthetic.h).
//
// The teacher. Hidden devices u (options.users, default 20,000, Zipf(0.8) per row) with
// a_u ~ N(0, I_4), placements p (options.items, default 2,000, Zipf(1.0)) with
// b_p ~ N(0, 0.25 I_4), ads a (items / 4, Zipf(0.9); C14 = 15000 + 7a, campaign C17 = 1000 + a/4).
//   device_model = 25 taste(a_u) + uniform(25) (70%; else a random taste): the user fields
//                  carry the interest (IARM's default user fields are the device_* ones)
//   category(p)  = taste(b_p) (80%; else uniform of 8), written as site_category or app_category
//   z = kAvazuBias + m[C1] + m[banner_pos] + m[device_type] + m[hour of day] + m[weekday]
//     + m[placement] + m[ad] + m[device_model]                 main effects ~ N(0, 0.1..0.3^2)
//     + kAvazuInterest <a_u, b_p>                              user interest
//     + kAvazuPair   P[hour_of_day / 4, category(p)]           pairwise interaction
//     + kAvazuTriple t1[banner_pos] t2[device_conn_type] t3[C18]   3-way interaction
//   y ~ Bernoulli(sigmoid(z)).
// P is double-centred, t1..t3 centred unit-variance factors (synthetic_common.h): no main
// effect, and the triple no pairwise marginal, so LR cannot fit them.
// Measured (seed 1, 4,000 train / 2,000 test rows, tests/data/synthetic): positive rate 0.18,
// teacher AUC 0.85, LR 0.58, LR + the planted crosses 0.73.
#include <string>

#include "data/synthetic/synthetic.h"

namespace tg::data {

inline constexpr const char* kAvazuHeader =
    "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
    "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21";
inline constexpr double kAvazuBias = -2.3;
inline constexpr double kAvazuInterest = 1.0;
inline constexpr double kAvazuPair = 1.0;
inline constexpr double kAvazuTriple = 1.0;

// Writes dir/train.csv (options.rows examples, default 100,000) and dir/teacher.tsv.
SyntheticReport write_synthetic_avazu(const std::string& dir, const SyntheticOptions& options = {});

}  // namespace tg::data
