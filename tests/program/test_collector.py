"""The program runs with the garbage collector off (__main__.py says why); the plan runner, whose
process outlives the program, gives it back."""

import gc

from tenancy.plan.engine import FakeOutputs, simulate
from tests.support.program import FIXTURE_TENANTS, PROJECT_DIR


class CollectorSeen(FakeOutputs):
    def __init__(self):
        super().__init__()
        self.seen: set[bool] = set()

    def new_resource(self, args):
        self.seen.add(gc.isenabled())
        return super().new_resource(args)


def test_the_program_registers_with_the_collector_off_and_the_plan_turns_it_back_on():
    assert gc.isenabled()
    seen = CollectorSeen()
    plan = simulate(PROJECT_DIR, "dev", {"argo-tenants:tenantsDir": str(FIXTURE_TENANTS)}, fake_outputs=seen)
    assert plan.error is None and plan.resources
    assert seen.seen == {False}
    assert gc.isenabled()
