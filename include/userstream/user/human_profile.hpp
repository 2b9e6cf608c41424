// userstream/user/human_profile.hpp
//
// A human's profile as ZITADEL's v2 `AddHumanUser` takes it (`zitadel.user.v2.SetHumanProfile`) and the
// `user.human.added` payload stores it (`firstName`, `lastName`, ...). The phone domain decides nothing on it: it is
// carried from the command to the event and on to the read side (GetUserByID).
#pragma once

#include <string>

namespace userstream::user {

struct human_profile {
    std::string given_name{};          // payload `firstName`
    std::string family_name{};         // `lastName`
    std::string nick_name{};           // `nickName`
    std::string display_name{};        // `displayName`
    std::string preferred_language{};  // `preferredLanguage`: a BCP 47 tag as given, e.g. "de-CH"
    int gender = 0;                    // `gender`, zitadel.user.v2.Gender: 0 unspecified, 1 female, 2 male, 3 diverse

    friend bool operator==(const human_profile&, const human_profile&) = default;
};

}  // namespace userstream::user
