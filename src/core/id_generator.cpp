#include "userstream/core/id_generator.hpp"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace userstream {

std::string uuid_generator::next_id() {
    // boost::uuids::random_generator is not thread-safe; one per thread avoids a lock on the hot path.
    thread_local boost::uuids::random_generator generate;
    return boost::uuids::to_string(generate());
}

}  // namespace userstream
