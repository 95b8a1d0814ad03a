import pytest

from tenancy.model.quantity import cpu_millicores, cpu_problem, memory_bytes, memory_problem


@pytest.mark.parametrize("value, millicores", [("2", 2000), ("0.5", 500), ("500m", 500), ("1.25", 1250)])
def test_cpu_quantities_as_kubernetes_reads_them(value, millicores):
    assert cpu_millicores(value) == millicores


@pytest.mark.parametrize("value, amount", [("8Gi", 8 * 2**30), ("512Mi", 512 * 2**20), ("1G", 10**9), ("100", 100)])
def test_memory_quantities_as_kubernetes_reads_them(value, amount):
    assert memory_bytes(value) == amount


@pytest.mark.parametrize("value", ["", "2 ", "-1", "1e3", "0.0005", "2c", "m"])
def test_cpu_forms_we_do_not_accept(value):
    assert cpu_problem(value) is not None


@pytest.mark.parametrize("value", ["", "8gi", "8GB", "1.5Gi", "-1Gi", "8Pi"])
def test_memory_forms_we_do_not_accept(value):
    assert memory_problem(value) is not None
