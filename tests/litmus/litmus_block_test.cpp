// LitmusBlock: a worker attaches what the coordinator created, and refuses anything else.
#include "shmlab/litmus/litmus_block.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <system_error>

#include "support/shmlab_process.hpp"

namespace shmlab::litmus {
namespace {

std::string unique_name(const char* what) {
  static int counter = 0;
  return fmt::format("/shmlab-{}-litmus-test-{}-{}", ::getpid(), what, ++counter);
}

LitmusSpec spec_for(LitmusTest t, std::uint32_t capacity) {
  LitmusSpec s;
  s.test = t;
  s.threads = litmus_info(t).threads;
  s.capacity = capacity;
  for (std::int32_t& c : s.cpu) c = -1;
  return s;
}

TEST(LitmusBlock_test, AttachSeesTheCreatorsSpecAndCells) {
  const LitmusBlock sut = LitmusBlock::create(unique_name("ok"), spec_for(LitmusTest::kIRIW, 100));
  sut.cells()[99].y.value.store(7);
  sut.registers(3)[99].r[1] = 5;
  const LitmusBlock worker = LitmusBlock::attach(sut.name());
  EXPECT_EQ(worker.spec().test, LitmusTest::kIRIW);
  EXPECT_EQ(worker.spec().threads, 4u);
  EXPECT_EQ(worker.spec().capacity, 100u);
  EXPECT_EQ(worker.spec().owner_pid, ::getpid());
  EXPECT_EQ(worker.cells()[99].y.value.load(), 7u);
  EXPECT_EQ(worker.registers(3)[99].r[1], 5u);
  // The regions do not overlap: the last register ends inside the object.
  const auto end = reinterpret_cast<const char*>(sut.registers(3) + 100);
  EXPECT_LE(end, static_cast<const char*>(static_cast<void*>(&sut.header())) +
                     LitmusBlock::size_for(4, 100));
}

TEST(LitmusBlock_test, AttachingAnObjectThatIsNotALitmusBlockFails) {
  const sys::ShmObject other = sys::ShmObject::create(unique_name("zero"), 65536);
  EXPECT_THROW(LitmusBlock::attach(other.name()), std::system_error);
}

TEST(LitmusBlock_test, AttachingABlockWithAWrongSizeFails) {
  const LitmusBlock sut = LitmusBlock::create(unique_name("size"), spec_for(LitmusTest::kSB, 10));
  // A header that claims more cells than the object holds.
  auto& spec = sut.header().spec;
  spec.capacity = 1000;
  EXPECT_THROW(LitmusBlock::attach(sut.name()), std::system_error);
  spec.capacity = 10;
  spec.threads = 4;  // SB has two
  EXPECT_THROW(LitmusBlock::attach(sut.name()), std::system_error);
}

TEST(LitmusBlock_test, AttachingAMissingNameFails) {
  EXPECT_THROW(LitmusBlock::attach(unique_name("absent")), std::system_error);
}

TEST(LitmusBlock_test, NothingIsLeftInDevShm) {
  {
    const LitmusBlock sut = LitmusBlock::create(unique_name("gone"), spec_for(LitmusTest::kMP, 4));
  }
  EXPECT_TRUE(test::shm_leftovers(::getpid()).empty());
}

}  // namespace
}  // namespace shmlab::litmus
