#pragma once
// Synthetic Taobao display-ad data (Alibaba "Ad Display/Click Data on Taobao.com", Tianchi 56)
// in the formats of ../shared/data and of the raw release; one teacher, three writers:
//   FuxiCTR  dir/taobao.csv: FuxiCTR's joined CSV (data/tiny_csv): the header kTaobaoFuxiHeader,
//            then clk, time_stamp "YYYY-MM-DD HH:MM:SS" (UTC), userid, adgroup_id, pid
//            (430548_1007 / 430539_1007), cate_id, campaign_id, customer, brand (empty when
//            unknown), price (one decimal), the 8 profile fields (all empty for a user without
//            a profile; pvalue_level and new_user_class_level empty when unknown), and
//            click_sequence: the user's earlier clicked adgroup ids, '^'-separated, oldest
//            first, at most 50, empty when none. Rows in time order.
//   DMR      dir/alimama_sampled.txt: the DMR preprocessing (PaddleRec's sample), no header,
//            267 comma-separated integers/floats per row: 50 btag (1 pv, 2 cart, 3 fav, 4 buy),
//            50 his_cate, 50 his_brand, 50 mask, 50 match_mask (= mask, as in the samples), each
//            left-padded with 0 and most recent last (the user's last 50 behaviours before the
//            impression), then uid, cms_segid, cms_group_id, final_gender_code, age_level,
//            pvalue_level, shopping_level, occupation, new_user_class_level (0 when unknown),
//            mid (adgroup), cate_id, campaign_id, customer, brand (0 when unknown), price
//            (rescaled near 1: 0.94 + 0.06 log1p(price) / max log1p(price)), pid (0/1), target.
//   Raw      the four Tianchi CSVs, each with its header line: raw_sample.csv
//            "user,time_stamp,adgroup_id,pid,nonclk,clk" (unix seconds, time order),
//            ad_feature.csv "adgroup_id,cate_id,campaign_id,customer,brand,price" (brand NULL
//            when unknown), user_profile.csv (the real header, with its trailing space after
//            new_user_class_level; users without a profile absent), behavior_log.csv
//            "user,time_stamp,btag,cate,brand" (btag pv/cart/fav/buy; by user, then time).
// The same seed and options give the same users, ads, behaviours and impressions in every
// format. teacher.tsv (synthetic.h) follows the main file (taobao.csv, alimama_sampled.txt or
// raw_sample.csv). Ids are bijective maps into the real ranges (users <= 1,140,001, adgroups
// <= 846,811, categories <= 12,960).
//
// The teacher (k = 4). Categories c (items / 30, at least 8; popularity Zipf(0.8)) have
// b_c ~ N(0, 0.25 I_k); an ad i belongs to one category, b_i = b_c + N(0, 0.01 I_k); brand
// unknown for 25% of the ads; price = exp(N(4.3, 1.1^2)). Users a_u ~ N(0, I_k); 60% of the
// users have their gender (taste parity) and age level (1 + taste mod 6) set by their taste,
// the rest drawn from marginals; 5% have no profile.
//   Behaviour log (2017-04-22 .. 05-13, 10-89 events per user): a browsed category is drawn by
//   popularity with probability 0.35 (the noisy part of implicit feedback) and otherwise with
//   probability ~ exp(1.5 <a_u, b_c>); the event is a like (cart 40% / fav 35% / buy 25%) with
//   probability 0.6 sigmoid(4 (<a_u, b_c> - 0.5)) -- only real preference is liked -- else pv.
//   Impressions (2017-05-06 .. 05-13; options.rows in all): the ad is targeted (category by
//   interest, then Zipf within it) half the time, else drawn by popularity; pid 70/30. Logit
//     z = kTaobaoBias + m[pid] + m[cate] + m[ad]                 main effects
//       + kTaobaoInterest <a_u, b_i>                             user interest
//       + kTaobaoHistory cos(b_i, mean of b_c over the user's last 5 LIKED behaviours before t)
//       + kTaobaoPair   P[age_level, price bucket]               pairwise (buckets < 10, < 50,
//                                                                < 200, < 1000, more)
//       + kTaobaoTriple t1[gender] t2[pid] t3[shopping_level]    3-way interaction
//   clk ~ Bernoulli(sigmoid(z)); "no profile" is a state of its own in P and t1..t3, which are
//   centred (synthetic_common.h): no main effect for LR to fit. Clicks are noisy (Bernoulli,
//   on ads half of which are untargeted) and likes clean: the like history predicts the click
//   better than the pv history (DUMN's premise).
// Measured (seed 1, 1,000 users, 1,500 ads, 8,000 impressions, tests/data/synthetic): click rate
// 0.14, teacher AUC 0.90, LR 0.66, LR + the planted crosses 0.79.
#include <string>

#include "data/synthetic/synthetic.h"

namespace tg::data {

enum class TaobaoFormat { FuxiCTR, DMR, Raw };

inline constexpr const char* kTaobaoFuxiHeader =
    "clk,time_stamp,userid,adgroup_id,pid,cate_id,campaign_id,customer,brand,price,cms_segid,cms_group_id,"
    "final_gender_code,age_level,pvalue_level,shopping_level,occupation,new_user_class_level,click_sequence";
inline constexpr double kTaobaoBias = -4.0;
inline constexpr double kTaobaoInterest = 1.0;
inline constexpr double kTaobaoHistory = 1.0;
inline constexpr double kTaobaoPair = 1.0;
inline constexpr double kTaobaoTriple = 1.0;

// Writes the files of `format` (defaults: 2,000 users, 3,000 ads, 50,000 impressions) and
// dir/teacher.tsv.
SyntheticReport write_synthetic_taobao(const std::string& dir, const SyntheticOptions& options = {},
                                       TaobaoFormat format = TaobaoFormat::FuxiCTR);

}  // namespace tg::data
